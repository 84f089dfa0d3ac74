package seed

import (
	"fmt"
	"strings"
)

var (
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
		"郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖",
		"田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈"}
	givenChars = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
		"明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "文", "辉", "建", "国", "红", "海", "鹏",
		"宇", "浩", "凯", "欣", "婷", "雪", "琳", "晨", "阳", "子", "轩", "梓", "涵", "萱", "博", "思", "雨", "佳",
		"怡", "峰", "斌", "波", "俊", "德", "志", "春", "燕"}
	streetNames = []struct {
		name, kind  string
		communities int
	}{
		{"卧牛山街道", "street", 7}, {"亚父街道", "street", 7}, {"天河街道", "street", 6},
		{"凤凰山街道", "street", 6}, {"半汤街道", "street", 6}, {"中庙街道", "street", 5},
	}
	communityPrefixes = []string{"东风", "西苑", "南湖", "北门", "金城", "银屏", "青年", "健康", "和平", "朝阳",
		"人民", "新华", "滨湖", "望湖", "花园", "东城", "西城", "长安", "永安", "庆丰", "团结", "友谊", "建设",
		"湖光", "龟山", "鼓山", "汤山", "太湖山", "巢州", "居巢", "姥山", "中庙", "凤凰", "卧牛", "亚父", "天河",
		"半汤", "官塘", "旗山", "塘西"}
	compoundSuffixes = []string{"花园", "小区", "苑", "家园", "新村", "雅居", "公寓"}
	agencies         = []string{"文旅局", "科技局", "卫健委", "司法局", "市场监督管理局", "公安局", "人民法院",
		"人民检察院", "教育局", "财政局", "民政局", "人社局", "住建局", "城管局", "交通运输局", "水务局", "农业农村局",
		"商务局", "统计局", "审计局", "应急管理局", "自然资源和规划局", "生态环境分局", "医保局", "退役军人事务局",
		"数据资源局", "林业局", "信访局", "档案馆", "融媒体中心", "发改委", "经信局", "国资委", "机关事务管理中心",
		"总工会", "团市委", "妇联", "科协", "残联", "工商联", "红十字会", "供销社", "住房公积金管理中心", "税务局",
		"供电公司", "烟草专卖局", "邮政分公司", "移动分公司", "电信分公司", "联通分公司", "中国银行支行", "工商银行支行",
		"农业银行支行", "建设银行支行", "农商银行", "自来水公司", "燃气公司", "公交公司", "人民医院", "中医院",
		"妇幼保健院", "疾控中心", "第一中学", "第二中学", "第四中学", "职教中心", "气象局", "消防救援大队",
		"人武部", "交警大队", "市委办", "市政府办", "组织部", "宣传部", "统战部", "政法委", "纪委监委", "编办",
		"党校", "机关工委", "老干部局", "政协办", "人大办", "巡察办", "信访接待中心", "保密局", "外事办", "侨联",
		"文联", "社科联", "台办", "地震局", "粮食储备库", "港航中心", "湖管局", "旅游投资公司", "城投公司", "金融控股公司"}
	justiceAgencies = map[string]bool{"司法局": true, "公安局": true, "人民法院": true, "人民检察院": true, "交警大队": true}
	socialOrgNames  = []string{"巢湖市红领公益服务中心", "巢湖市益起来社工服务社", "巢湖市阳光助老协会", "巢湖市青年志愿者协会",
		"巢湖市邻里守望互助会", "巢湖市心灵驿站心理服务中心", "巢湖市绿色环保促进会", "巢湖市爱心助学会",
		"巢湖市夕阳红文艺协会", "巢湖市巢湖之滨义工联合会", "巢湖市康复助残服务中心", "巢湖市家庭教育指导中心",
		"巢湖市应急救援志愿队", "巢湖市法律援助志愿者协会", "巢湖市社区营造发展中心"}
)

func personName(r *rowRand) string {
	var b strings.Builder
	b.WriteString(pick(r, surnames))
	b.WriteString(pick(r, givenChars))
	if r.chance(0.6) {
		b.WriteString(pick(r, givenChars))
	}
	return b.String()
}

func phoneNumber(r *rowRand) string {
	return fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1_000_000_000))
}

// idNumber builds a valid 18-character resident ID number that is unique per person id: the
// birth date and sequence are a bijection of the id (for ids below 1000 × 21,900).
func idNumber(personID int64) (string, int) {
	const days = 21_900 // about 60 years of birth dates, 1950 onwards
	n := personID - 1
	seq := n % 1000
	day := (n/1000 + seq*7919) % days
	year, month, dom := dateFromDay(int(day))
	body := fmt.Sprintf("340181%04d%02d%02d%03d", year, month, dom, seq)
	return body + checkDigit(body), year
}

func dateFromDay(day int) (int, int, int) {
	t := epoch1950.AddDate(0, 0, day)
	return t.Year(), int(t.Month()), t.Day()
}

// checkDigit is the ISO 7064 MOD 11-2 check character of a GB 11643 ID number.
func checkDigit(body string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range body {
		sum += int(c-'0') * weights[i]
	}
	return string("10X98765432"[sum%11])
}
